import { POLLIN } from './libc.js';

/**
 * A worker's poll() set, as struct pollfd { int fd; short events; short revents; }: the fd, then the stop
 * eventfd (when there is one, stopFd ≥ 0), which the main thread writes to as it stops. `view` reads the
 * fd's revents at offset 6.
 */
export function fdPollSet(fd: number, stopFd: number): { pollfd: Uint8Array; view: DataView; count: number } {
  const count = stopFd >= 0 ? 2 : 1;
  const pollfd = new Uint8Array(8 * count);
  const view = new DataView(pollfd.buffer);
  view.setInt32(0, fd, true);
  view.setInt16(4, POLLIN, true);
  if (stopFd >= 0) {
    view.setInt32(8, stopFd, true);
    view.setInt16(12, POLLIN, true);
  }
  return { pollfd, view, count };
}

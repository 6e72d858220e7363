/** Whether this process runs on glibc (whose malloc mallopt tunes): not on musl or macOS. */
export const GLIBC =
  process.platform === 'linux' &&
  (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    ?.glibcVersionRuntime !== undefined;

export const DEFAULT_MTU = 1500;
export const DEFAULT_REASSEMBLY_TIMEOUT_MS = 30_000;
export const DEFAULT_REASSEMBLY_MAX_BYTES = 4 * 1024 * 1024;
//# sourceMappingURL=stack-config.js.map
/**
 * Where the command line's loader (src/cli/runtime/bundle-runner.ts) leaves an import() of its own: a symbol of the
 * global registry.
 */
export const ESM_IMPORT = Symbol.for('pilha.import');

type ImportFunction = (specifier: string) => Promise<unknown>;

/**
 * import() of a package that is an ES module (vega), from pilha's modules or from the command line's bundle.
 * The bundle is a CommonJS script that Node 20 runs through node:vm (for its code cache), and a vm script's own
 * import() fails there without --experimental-vm-modules: in the bundle, the loader's import() does it.
 */
export function importEsm<T>(specifier: string): Promise<T> {
  const viaLoader = (globalThis as { [ESM_IMPORT]?: ImportFunction })[ESM_IMPORT];
  return (viaLoader !== undefined ? viaLoader(specifier) : import(specifier)) as Promise<T>;
}

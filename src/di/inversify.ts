/**
 * The part of inversify that the compositions use, in one module. `npm run build` replaces its compiled form
 * (dist/di/inversify.js) with a single-file bundle of inversify and its @inversifyjs packages
 * (scripts/bundle-inversify.mjs): Node 20 loaded inversify 8's 365 ESM files in about 145 ms, at the start of
 * every pilha process (a `pilha get` of one byte took 0.7 s), and loads the bundle in about 14 ms. Tests run
 * this file as it is, on the package itself.
 */
export { Container, ContainerModule } from 'inversify';

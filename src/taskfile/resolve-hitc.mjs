// Module resolve hook: `import … from 'hitc'` in a hitcfile means this hitc, even when the
// hitcfile's own directory has no node_modules/hitc (a global install, a scratch directory).
const SELF = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  // hand the file URL on, so tsx's own resolver marks it for TypeScript loading
  if (specifier === 'hitc') return next(SELF, context);
  return next(specifier, context);
}

/** Import rules that span files (ESLint sees one file at a time): `npm run lint` runs them. */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle (type-only imports included) makes an area impossible to read or move on its own.',
      severity: 'error',
      from: { path: '^core/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/|\\.test\\.ts$' },
  },
};

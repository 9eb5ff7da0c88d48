declare module 'stremio-addon-linter' {
  interface LintResult {
    valid: boolean;
    errors: Error[];
    warnings?: Error[];
  }
  const linter: {
    lintManifest(manifest: unknown): LintResult;
    lintCollection(collection: unknown): LintResult;
  };
  export default linter;
}

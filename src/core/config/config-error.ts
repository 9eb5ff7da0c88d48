/** Invalid configuration: `message` is one line naming the variable and what is wrong with it. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'ConfigError';
  }
}

/** A problem with the command line, the environment or a library call's options: exit 2 with this one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A pyproject.toml setting reprodist cannot use: exit 2 with this one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

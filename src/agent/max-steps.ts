/**
 * The step limit of an episode when none is given. Its own module so that the CLI can print it
 * in `--help` without loading the loop.
 */
export const DEFAULT_MAX_STEPS = 16;

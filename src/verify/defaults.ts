// The defaults of verify's and rebuild's options, which the command line shows in every run's help
// and flags: apart from the code that acts on them, which loads the network and build modules (the
// CLI loads those only for a verify or rebuild run; docs/architecture.md, "What runs").

/** The index whose JSON API (/pypi/NAME/VERSION/json, PEP 691 simple pages) lists a release's files. */
export const DEFAULT_INDEX_URL = 'https://pypi.org';
/** How long a connection, a response or the next bytes may take. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** 2 GiB: larger than any artefact PyPI accepts by default, small enough to stop a runaway download. */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
/** What `verify --build` runs in the clean clone. */
export const DEFAULT_BUILD_COMMAND = 'python3 -m build';
/** Candidate tool versions a rebuild tries while only tool-written files differ. */
export const DEFAULT_ATTEMPTS = 4;
/** 15 minutes for one attempt: venv, installs and build. */
export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;

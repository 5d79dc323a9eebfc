/**
 * The version recorded in journals and exports. A unit test keeps it equal to
 * package.json's, which the Python package takes its version from.
 */
export const RECORDER_VERSION = '0.1.0';
export const RECORDER_NAME = 'jupyterlab-provenance';

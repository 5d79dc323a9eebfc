import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { IRecordingOptions } from '../core/recorder/index.js';

/** The plugin whose schema (schema/settings/plugin.json) holds every setting. */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-provenance:plugin';

/** The plugin's settings (schema/settings/plugin.json), read once and on change. */
export interface IProvenanceSettings extends IRecordingOptions {
  readonly enabled: boolean;
  /** Seconds between `usage_request`s while a cell runs without the agent; 0: never. */
  readonly kernelUsageInterval: number;
  /** Upstream, downstream and stale marks on the cells (lab/lineage). */
  readonly lineageMarks: boolean;
}

export const DEFAULT_SETTINGS: IProvenanceSettings = {
  enabled: true,
  recordCode: true,
  recordOutputPreviews: true,
  maxPreviewChars: 200,
  kernelUsageInterval: 1,
  lineageMarks: true
};

/** Reads the composite settings, falling back to defaults field by field. */
export function readSettings(
  settings: ISettingRegistry.ISettings | null
): IProvenanceSettings {
  if (!settings) {
    return DEFAULT_SETTINGS;
  }
  const get = <K extends keyof IProvenanceSettings>(
    key: K,
    type: 'boolean' | 'number'
  ): IProvenanceSettings[K] => {
    const value = settings.get(key).composite;
    return (
      typeof value === type ? value : DEFAULT_SETTINGS[key]
    ) as IProvenanceSettings[K];
  };
  return {
    enabled: get('enabled', 'boolean'),
    recordCode: get('recordCode', 'boolean'),
    recordOutputPreviews: get('recordOutputPreviews', 'boolean'),
    maxPreviewChars: get('maxPreviewChars', 'number'),
    kernelUsageInterval: get('kernelUsageInterval', 'number'),
    lineageMarks: get('lineageMarks', 'boolean')
  };
}

/**
 * Loads the settings, calls `apply` now and on every change; resolves them
 * (to change them), or null without a registry or when they did not load.
 */
export async function followSettings(
  registry: ISettingRegistry | null,
  apply: (settings: IProvenanceSettings) => void
): Promise<ISettingRegistry.ISettings | null> {
  if (!registry) {
    return null;
  }
  try {
    const loaded = await registry.load(SETTINGS_PLUGIN_ID);
    loaded.changed.connect(() => apply(readSettings(loaded)));
    apply(readSettings(loaded));
    return loaded;
  } catch (error) {
    console.error('jupyterlab-provenance: settings not loaded', error);
    return null;
  }
}

import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { IRecordingOptions } from '../core/recorder/index.js';

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

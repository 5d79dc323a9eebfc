import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { RecordingOptions } from '../core/recorder/index.js';

/** The plugin's settings (schema/settings/plugin.json), read once and on change. */
export interface ProvenanceSettings extends RecordingOptions {
  readonly enabled: boolean;
}

export const DEFAULT_SETTINGS: ProvenanceSettings = {
  enabled: true,
  recordCode: true,
  recordOutputPreviews: true,
  maxPreviewChars: 200
};

/** Reads the composite settings, falling back to defaults field by field. */
export function readSettings(
  settings: ISettingRegistry.ISettings | null
): ProvenanceSettings {
  if (!settings) {
    return DEFAULT_SETTINGS;
  }
  const get = <K extends keyof ProvenanceSettings>(
    key: K,
    type: 'boolean' | 'number'
  ): ProvenanceSettings[K] => {
    const value = settings.get(key).composite;
    return (
      typeof value === type ? value : DEFAULT_SETTINGS[key]
    ) as ProvenanceSettings[K];
  };
  return {
    enabled: get('enabled', 'boolean'),
    recordCode: get('recordCode', 'boolean'),
    recordOutputPreviews: get('recordOutputPreviews', 'boolean'),
    maxPreviewChars: get('maxPreviewChars', 'number')
  };
}

import * as vscode from 'vscode';

/** A catalog as configured in `hangar.marketplace.catalogs`. */
export interface CatalogSetting {
  name: string;
  url?: string;
  path?: string;
  ref?: string;
}

/** Typed mirror of every `hangar.*` setting in package.json (key without the `hangar.` prefix). */
export interface HangarSettings {
  'trace.server': 'off' | 'messages' | 'verbose';
  'rules.select': string[];
  'rules.ignore': string[];
  'rules.severity': Record<string, 'error' | 'warning' | 'info' | 'hint' | 'off'>;
  'analysis.dagFileHeuristic': 'airflow' | 'allPythonFiles';
  'analysis.dagFolders': string[];
  'analysis.backgroundCap': number;
  'analysis.maxFileSizeKb': number;
  'marketplace.catalogs': CatalogSetting[];
  'marketplace.serviceUrl': string;
  'repositories.cloneLocation': 'workspace' | 'globalStorage';
  'repositories.onRemoteChange': 'sync' | 'notify' | 'off';
  python: string;
  'testing.env': Record<string, string>;
  'testing.retries': number;
  'testing.timeoutSeconds': number;
}

const DEFAULTS: HangarSettings = {
  'trace.server': 'off',
  'rules.select': [],
  'rules.ignore': [],
  'rules.severity': {},
  'analysis.dagFileHeuristic': 'airflow',
  'analysis.dagFolders': ['dags'],
  'analysis.backgroundCap': 2000,
  'analysis.maxFileSizeKb': 1024,
  'marketplace.catalogs': [],
  'marketplace.serviceUrl': '',
  'repositories.cloneLocation': 'workspace',
  'repositories.onRemoteChange': 'sync',
  python: '',
  'testing.env': {},
  'testing.retries': 0,
  'testing.timeoutSeconds': 300,
};

/** Reads a setting for a resource each time: settings are never cached. */
export function hangarSetting<K extends keyof HangarSettings>(key: K, scope?: vscode.ConfigurationScope): HangarSettings[K] {
  return vscode.workspace.getConfiguration('hangar', scope).get<HangarSettings[K]>(key) ?? DEFAULTS[key];
}

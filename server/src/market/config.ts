import path from 'node:path';
import { isRemoteUrl, loadConfigFile } from '../config/load';
import { formatConfigError } from '../config/types';
import type { CatalogSource } from './sources';

/**
 * The `catalogs:` list of airflow-repos.yaml, read with the repositories feature's loader; local paths are
 * relative to the file. An entry with an error is left out (the editor shows the error on the file); with
 * `strict` (the CLI) an error of the file or of a catalog entry is thrown instead, located.
 */
export function catalogsFromReposFile(file: string, options: { strict?: boolean } = {}): CatalogSource[] {
  const config = loadConfigFile(file);
  const errors = config.errors.filter((e) => e.field === '' || e.field.startsWith('catalogs'));
  if (options.strict && errors.length > 0) throw new Error(`${file} has errors in its catalogs:\n${errors.map(formatConfigError).join('\n')}`);
  return config.catalogs.map((c) =>
    isRemoteUrl(c.url) ? { name: c.name, url: c.url, ref: c.ref, auth: c.auth } : { name: c.name, path: path.resolve(path.dirname(file), c.url), ref: c.ref },
  );
}

/** `name=url-or-folder[#ref]` as given on the command line or in HANGAR_MARKET_CATALOGS (comma separated). */
export function parseCatalogSpec(spec: string): CatalogSource {
  const [nameAndUrl = '', ref] = spec.split('#', 2);
  const eq = nameAndUrl.indexOf('=');
  const location = eq > 0 ? nameAndUrl.slice(eq + 1) : nameAndUrl;
  const name = eq > 0 ? nameAndUrl.slice(0, eq) : path.basename(location).replace(/\.git$/, '') || 'catalog';
  const remote = isRemoteUrl(location);
  return remote ? { name, url: location, ref } : { name, path: path.resolve(location), ref };
}

import * as vscode from 'vscode';
import { choosePython } from '../../../server/src/pyenv/environment';
import { hangarSetting } from '../settings';

interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined };
}

/**
 * The Airflow environment's interpreter for a resource: the Python extension's selection when it is
 * installed, then the `hangar.python` setting, then HANGAR_PYTHON / python3.
 */
export async function airflowPython(resource?: vscode.Uri): Promise<string> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (extension) {
    try {
      const api = extension.isActive ? extension.exports : await extension.activate();
      const selected = api.environments?.getActiveEnvironmentPath(resource)?.path;
      if (selected) return selected;
    } catch {
      // the Python extension failed to start: fall back to Hangar's own setting
    }
  }
  return choosePython(hangarSetting('python', resource) || undefined);
}

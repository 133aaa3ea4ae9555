import * as vscode from 'vscode';
import { choosePython } from '../../../server/src/pyenv/environment';
import { hangarSetting } from '../settings';

const PYTHON_EXTENSION = 'ms-python.python';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!extension) return undefined;
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return undefined; // the Python extension failed to start: Hangar's own setting applies
  }
}

/**
 * The Airflow environment's interpreter for a resource: the Python extension's selection when it is
 * installed, then the `hangar.python` setting, then HANGAR_PYTHON / python3.
 */
export async function airflowPython(resource?: vscode.Uri): Promise<string> {
  const selected = (await pythonExtensionApi())?.environments?.getActiveEnvironmentPath(resource)?.path;
  return selected || choosePython(hangarSetting('python', resource) || undefined);
}

/** Fires when the interpreter may have changed: `hangar.python`, or the Python extension's selection. */
export function onDidChangeAirflowPython(listener: () => void): vscode.Disposable {
  const disposables = [vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('hangar.python') && listener())];
  void pythonExtensionApi().then((api) => {
    const subscription = api?.environments?.onDidChangeActiveEnvironmentPath?.(() => listener());
    if (subscription) disposables.push(subscription);
  });
  return { dispose: () => disposables.forEach((d) => d.dispose()) };
}

/** `hangar.selectInterpreter`: the Python extension's picker when it is installed, else the `hangar.python` setting. */
export async function selectAirflowPython(): Promise<void> {
  if (vscode.extensions.getExtension(PYTHON_EXTENSION)) {
    await vscode.commands.executeCommand('python.setInterpreter');
    return;
  }
  const value = await vscode.window.showInputBox({
    title: 'Interpreter of the Airflow environment',
    prompt: 'Path of the python of the virtual environment where Airflow is installed (saved as hangar.python in the workspace settings)',
    value: hangarSetting('python') || '',
    placeHolder: '/path/to/airflow-venv/bin/python',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Enter the path of a Python interpreter'),
  });
  if (value === undefined) return;
  await vscode.workspace.getConfiguration('hangar').update('python', value.trim(), vscode.ConfigurationTarget.Workspace);
}

import * as vscode from 'vscode';
import type { HangarLanguageClient } from '../languageClient';
import { CredentialStore } from '../repos/credentials';
import { MarketBackend } from './marketBackend';
import { MarketplacePanel } from './marketplacePanel';

export type { MarketplacePanel };

export function createMarketplace(context: vscode.ExtensionContext, client: HangarLanguageClient, log: vscode.LogOutputChannel): MarketplacePanel {
  const cacheDir = vscode.Uri.joinPath(context.globalStorageUri, 'catalogs').fsPath;
  const panel = new MarketplacePanel(context.extensionUri, new MarketBackend(client, context.secrets, new CredentialStore(context), cacheDir, context.globalState), log);
  context.subscriptions.push(panel);
  return panel;
}

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** Bundle under dist/media, e.g. `graph.js`. */
  readonly script: string;
  /** Stylesheet under media/, e.g. `graph.css`. */
  readonly style: string;
  readonly title: string;
  /** Static markup only: data reaches the page through postMessage, never through this string. */
  readonly body: string;
  /** Fonts and images from the extension (the marketplace's codicons and icons). */
  readonly localAssets?: boolean;
}

/** The HTML shell of every Hangar webview: CSP `default-src 'none'`, one nonce script, local styles only. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'media', page.script));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', page.style));
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource}`,
    ...(page.localAssets ? [`font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`] : []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${page.title}</title>
</head>
<body>
${page.body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

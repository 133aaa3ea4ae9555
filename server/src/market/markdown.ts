import MarkdownIt from 'markdown-it';

// html: false escapes any raw HTML in the markdown; markdown-it's validateLink already refuses
// javascript:, vbscript:, file: and non-image data: URLs. Images are dropped: the webview loads no remote content.
const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.disable(['image']);

/** Untrusted catalog markdown as safe HTML for the webview. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}

import MarkdownIt from 'markdown-it';

/** Text a history, a target's writer or Airflow may hold, each trying to become a link, an image or HTML. */
export const HOSTILE = [
  'x`[Reset the token](command:hangar.deploy?%5B%22prod%22%5D)`',
  '![](https://evil.example/pixel.png)',
  '<img src=x onerror=alert(1)>',
  'a\r[Click](command:workbench.action.terminal.new)',
  '<a href="command:hangar.deploy">deploy</a>',
];

/** Every token a Markdown renderer with HTML on (VS Code's preview) would turn into a link, an image or raw HTML. */
export function activeTokens(markdown: string): string[] {
  const found: string[] = [];
  const walk = (tokens: ReturnType<InstanceType<typeof MarkdownIt>['parse']>): void => {
    for (const token of tokens) {
      if (['link_open', 'image', 'html_inline', 'html_block'].includes(token.type)) found.push(`${token.type}: ${token.content || JSON.stringify(token.attrs)}`);
      if (token.children) walk(token.children);
    }
  };
  walk(new MarkdownIt({ html: true }).parse(markdown, {}));
  return found;
}

import { findSecretFormat, isHighEntropyToken, isSecretName } from '../../secrets';
import type { Rule } from '../rule';
import { isDocString, literalOf, stringAt } from './syntax';
import { bindingOfValue } from './targets';
import { triggers } from './triggers';

/** The whole literal after the opening quote: a token, then the same quote. Read from the text so the tree is only consulted for candidates. */
const TOKEN_AFTER_QUOTE = /[A-Za-z0-9+/=_-]{20,512}/y;

export const highEntropyString: Rule = {
  id: 'HGR303',
  name: 'high-entropy-string',
  title: 'Random-looking string that may be a key',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'medium',
  reference: 'detect-secrets Base64HighEntropyString (limit 4.5) and HexHighEntropyString (limit 3.0)',
  doc: `A string literal is one random-looking token: base64 with more than 4.5 bits of Shannon entropy per character,
or 32+ hex digits with more than 3.0 (the limits detect-secrets uses). Such strings are usually keys or tokens.
Strings that also mix in no digits, contain spaces, are documentation, or are already reported by HGR301/HGR302 are not reported.

**Bad**
\`\`\`python
SIGNING_SALT = "q9Zt4Lm2XcVb8NwKe3RsYu7Hj5Gd1Pf0"
\`\`\`

**Good**
\`\`\`python
SIGNING_SALT = Variable.get("signing_salt")  # inside the task that needs it
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'randomToken')) {
      TOKEN_AFTER_QUOTE.lastIndex = trigger.index + 1;
      const token = TOKEN_AFTER_QUOTE.exec(context.source)?.[0];
      if (!token || context.source[trigger.index + 1 + token.length] !== trigger.text || !isHighEntropyToken(token) || findSecretFormat(token)) continue;
      const node = stringAt(context.tree, trigger.index);
      if (!node || isDocString(node) || literalOf(node)?.value !== token) continue;
      const binding = bindingOfValue(node);
      if (binding && isSecretName(binding.name)) continue;
      context.report(node, 'High-entropy string: if it is a key or token, move it to an Airflow connection or secrets backend.');
    }
  },
};

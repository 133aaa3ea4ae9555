import type { Rule } from '../rule';
import { nodeAt } from './syntax';
import { triggers } from './triggers';

export const tlsVerifyDisabled: Rule = {
  id: 'HGR310',
  name: 'tls-verify-disabled',
  title: 'TLS certificate verification disabled',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'high',
  reference: 'bandit B501 (request_with_no_cert_validation); ruff S501',
  doc: `\`verify=False\` (requests, httpx, boto3) or \`"verify": False\` in an \`HttpOperator\`'s \`extra_options\` accepts any
certificate, so anyone on the network path can read and change the traffic, credentials included. Install the
internal CA and pass its bundle: \`verify="/etc/ssl/certs/corp-ca.pem"\`.

**Bad**
\`\`\`python
requests.get(url, headers=headers, verify=False, timeout=30)
\`\`\`

**Good**
\`\`\`python
requests.get(url, headers=headers, verify="/etc/ssl/certs/corp-ca.pem", timeout=30)
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'verifyFalse')) {
      let binding = nodeAt(context.tree, trigger.index).parent;
      if (binding?.type === 'string') binding = binding.parent;
      if (binding?.type !== 'keyword_argument' && binding?.type !== 'pair') continue;
      const value = binding.childForFieldName('value');
      const key = binding.childForFieldName(binding.type === 'pair' ? 'key' : 'name');
      if (value?.type !== 'false' || !key || key.text.replace(/["']/g, '') !== 'verify') continue;
      context.report(binding, 'TLS certificate verification is disabled: pass the path of your CA bundle to verify= instead.');
    }
  },
};

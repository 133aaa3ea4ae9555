import { matchSecretFormatAt } from '../../secrets';
import type { Rule } from '../rule';
import { rangeWithin, stringAt } from './syntax';
import { triggers } from './triggers';

export const knownSecretFormat: Rule = {
  id: 'HGR302',
  name: 'known-secret-format',
  title: 'Credential in a known format',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'high',
  reference: 'secretlint preset-recommend (AWS, GitHub, Slack, private key); detect-secrets plugins (AWSKeyDetector, GitHubTokenDetector, GitLabTokenDetector, SlackDetector, PrivateKeyDetector, JwtTokenDetector, StripeDetector)',
  doc: `A string literal contains a credential in a format its issuer documents: AWS access key id, GitHub token
(\`ghp_\`, \`github_pat_\`), GitLab token (\`glpat-\`), Slack token (\`xox[abprs]-\`) or webhook URL, private key block,
JSON Web Token, Google API key, Stripe live key. Wherever it is in the file, it is in Git history: revoke it, then read
it from a connection or the secrets backend. AWS's documented example keys (ending in \`EXAMPLE\`) are not reported.

**Bad**
\`\`\`python
GithubOperator(task_id="tags", github_method="get_repo", github_conn_id=None, token="ghp_...")
\`\`\`

**Good**
\`\`\`python
GithubOperator(task_id="tags", github_method="get_repo", github_conn_id="github_default")
\`\`\``,
  check(context) {
    let reachedEnd = -1;
    for (const trigger of triggers(context, 'secretFormat')) {
      if (trigger.index < reachedEnd) continue;
      const match = matchSecretFormatAt(context.source, trigger.index);
      if (!match) continue;
      const literal = stringAt(context.tree, trigger.index);
      if (!literal || match.end > literal.endIndex) continue;
      reachedEnd = match.end;
      context.report(rangeWithin(literal, context.source, match.start, match.end), `${capitalize(match.format.title)} in a string literal: revoke it and read it from an Airflow connection or secrets backend.`);
    }
  },
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

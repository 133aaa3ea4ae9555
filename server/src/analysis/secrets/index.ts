export { isHighEntropyToken, shannonEntropy } from './entropy';
export { findSecretFormat, matchSecretFormatAt, SECRET_FORMAT_PREFIXES, SECRET_FORMATS } from './formats';
export type { FormatMatch, SecretFormat } from './formats';
export { isSecretName, repeatsName } from './names';
export { uriPasswordAt } from './uri';
export type { UriPassword } from './uri';
export { isCredentialValue, isPlaceholder, isTemplatedOrFormatted } from './values';

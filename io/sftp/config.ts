import { z } from 'zod';
import { SecretRefSchema } from '../secrets';

/**
 * An OpenSSH host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:` and 43 base64 characters),
 * kept bare (no prefix, no padding) so it compares directly with the key the server presents.
 */
function hostKeyFingerprint(text: z.ZodString) {
  return text
    .trim()
    .regex(/^(SHA256:)?[A-Za-z0-9+/]{43}=?$/, {
      error: 'must be an OpenSSH SHA256 fingerprint such as "SHA256:" followed by 43 base64 characters',
    })
    .transform((value) => value.replace(/^SHA256:/, '').replace(/=$/, ''));
}

/** A pin a side may leave out (a source only reads what the server offers). */
export const HostKeySha256Schema = hostKeyFingerprint(z.string());

/** A pin that must be there, with a message that says how to get it. */
export const RequiredHostKeySha256Schema = hostKeyFingerprint(
  z.string({ error: 'is required: pin the server key (ssh-keyscan <host> | ssh-keygen -lf -)' }),
);

/**
 * How to log in to an SFTP server (RFC 4253/4254, draft-ietf-secsh-filexfer-02): every SFTP config
 * extends it with its host key pin and its own fields (`.extend` keeps the strictness and refinements).
 */
export const SftpLoginSchema = z
  .object({
    host: z.string().min(1),
    port: z.int().min(1).max(65_535).default(22),
    username: z.string().min(1),
    password: SecretRefSchema.optional(),
    /** An OpenSSH, PEM or PPK private key. */
    privateKey: SecretRefSchema.optional(),
    /** For an encrypted private key. */
    passphrase: SecretRefSchema.optional(),
  })
  .strict()
  .refine((sftp) => (sftp.password === undefined) !== (sftp.privateKey === undefined), {
    error: 'needs exactly one of password and privateKey',
  })
  .refine((sftp) => sftp.passphrase === undefined || sftp.privateKey !== undefined, {
    error: 'passphrase is only used with privateKey',
    path: ['passphrase'],
  });

/** A parsed SFTP config of either side: the login, and the pin when there is one. */
export type SftpLoginConfig = z.infer<typeof SftpLoginSchema> & { hostKeySha256?: string | undefined };

/**
 * The target configs of the golden files: test/golden/<case>/ holds what each renders from the
 * example roster (test/unit/golden.test.ts). Other tests reuse them as one config of every target.
 */
export const GOLDEN_TARGETS: Record<string, unknown> = {
  'csv-file': exampleTarget(),
  // Cells holding the delimiter are quoted; commas no longer need to be.
  'csv-file-semicolon': { ...exampleTarget(), delimiter: ';' },
  allstacks: {
    type: 'allstacks',
    organizationId: 42,
    username: 'api',
    password: { env: 'UNUSED' },
    tags: [
      { category: 'Department', field: 'department' },
      { category: 'Location', field: 'location' },
      { category: 'Team', field: 'customFields.team' },
    ],
  },
  'staffbase-delta': { type: 'staffbase', baseUrl: 'https://acme.staffbase.com/api', apiToken: { env: 'UNUSED' } },
  'staffbase-full': {
    type: 'staffbase',
    baseUrl: 'https://acme.staffbase.com/api',
    apiToken: { env: 'UNUSED' },
    mode: 'full',
    allowFullImport: true,
  },
  ...Object.fromEntries(
    (['alludo', 'oneroster-1.2', 'oneroster-1.2.1'] as const).map((profile) => [
      profile,
      {
        type: 'oneroster-sftp',
        profile,
        orgsFrom: 'department',
        parentOrgsFrom: 'location',
        sftp: {
          host: 'sftp.example.org',
          username: 'district',
          password: { env: 'UNUSED' },
          hostKeySha256: `SHA256:${'A'.repeat(43)}`,
        },
      },
    ]),
  ),
};

export function exampleTarget(): Record<string, unknown> {
  return {
    type: 'csv-file',
    path: 'acme-people.csv',
    columns: [
      { header: 'Email', field: 'workEmail' },
      { header: 'First Name', field: 'firstName' },
      { header: 'Last Name', field: 'lastName' },
      { header: 'Title', field: 'jobTitle' },
      { header: 'Department', field: 'department' },
      { header: 'Location', field: 'location' },
      { header: 'Team', field: 'customFields.team' },
      { header: 'Status', field: 'status' },
    ],
  };
}


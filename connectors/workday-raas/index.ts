import type { SourceDefinition } from '../sdk/source';
import { WorkdayRaasConfigSchema } from './config';
import type { WorkdayRaasConfig } from './config';
import { createWorkdayRaasSource } from './source';

export const workdayRaasSource: SourceDefinition<WorkdayRaasConfig> = {
  type: 'workday-raas',
  title: 'Workday custom report as a web service (RaaS), via an Integration System User',
  docsUrl: 'https://doc.workday.com/admin-guide/en-us/integration/workday-reports/report-as-a-service-raas.html',
  configSchema: WorkdayRaasConfigSchema,
  create: createWorkdayRaasSource,
};

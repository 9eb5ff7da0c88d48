import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';
import { type AppConfig } from '../core/config/app-config.js';
import { CoreModule } from '../core/core.module.js';
import { FEATURE_MODULES } from './feature-modules.js';
import { modulesForRoles, Role } from './roles.js';

/**
 * The application graph for a set of roles: core, the role table's modules, and queue plumbing. Queue
 * and feature modules are imported on demand, so a role loads only the code (and packages) it runs.
 */
@Module({})
export class AppModule {
  static async forConfig(config: AppConfig, logger: Logger): Promise<DynamicModule> {
    const roles = config.roles;
    const producesJobs = roles.includes(Role.Manager) || roles.includes(Role.Worker);
    const queues = producesJobs ? [(await import('../core/queue/queue.module.js')).QueueModule] : [];
    const workers = roles.includes(Role.Worker)
      ? [(await import('../core/queue/job-worker.module.js')).JobWorkerModule]
      : [];
    const features = await Promise.all(modulesForRoles(roles).map((name) => FEATURE_MODULES[name](roles)));
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, logger), ...queues, ...workers, ...features],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';
import { type AppConfig } from '../core/config/app-config.js';
import { CoreModule } from '../core/core.module.js';
import { JobWorkerModule } from '../core/queue/job-worker.module.js';
import { QueueModule } from '../core/queue/queue.module.js';
import { FEATURE_MODULES } from './feature-modules.js';
import { modulesForRoles, Role } from './roles.js';

/** The application graph for a set of roles: core, the role table's modules, and queue plumbing. */
@Module({})
export class AppModule {
  static forConfig(config: AppConfig, logger: Logger): DynamicModule {
    const roles = config.roles;
    const producesJobs = roles.includes(Role.Manager) || roles.includes(Role.Worker);
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        ...(producesJobs ? [QueueModule] : []),
        ...(roles.includes(Role.Worker) ? [JobWorkerModule] : []),
        ...modulesForRoles(roles).map((name) => FEATURE_MODULES[name](roles)),
      ],
    };
  }
}

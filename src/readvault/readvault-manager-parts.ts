import { OpdsBasicAuthGuard } from './opds/opds-basic-auth.guard.js';
import { OpdsController } from './opds/opds.controller.js';
import { OpdsService } from './opds/opds.service.js';

/** ReadVault's OPDS catalog (it searches the library): loaded by `ReadVaultModule` on managers only. */
export const MANAGER_PARTS = { controllers: [OpdsController], providers: [OpdsService, OpdsBasicAuthGuard] };

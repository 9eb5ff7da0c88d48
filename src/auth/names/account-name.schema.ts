import { Schema, type Types } from 'mongoose';

/**
 * A username claimed on one site: `_id` is `<tenant id>:<username>` (the default site's tenant id is
 * `default`), so a name is unique per site on every backend (an `_id` insert is refused twice, also
 * for two racing requests) and signing in finds the account with `_id` reads only.
 */
export interface AccountName {
  _id: string;
  tenantId: string;
  username: string;
  userId: Types.ObjectId;
  claimedAt: Date;
}

export const accountNameSchema = new Schema<AccountName>(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    username: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    claimedAt: { type: Date, required: true },
  },
  { collection: 'account_names', versionKey: false },
);
// Purging a tenant removes its names (rare; the index only helps MongoDB).
accountNameSchema.index({ tenantId: 1 });

export function accountNameId(tenantId: string, username: string): string {
  return `${tenantId}:${username}`;
}

import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';

const COST = 11;

/** bcrypt (pure JS, so no native build step on any architecture). */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, COST);
  }

  async verify(password: string, hash: string | undefined): Promise<boolean> {
    // Unknown users still cost one bcrypt comparison, so timing does not reveal which usernames exist.
    this.dummyHash ??= bcrypt.hash(randomBytes(16).toString('hex'), COST);
    const matches = await bcrypt.compare(password, hash ?? (await this.dummyHash));
    return matches && hash !== undefined;
  }
}

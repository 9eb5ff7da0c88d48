import { AppPasswordEpochs } from '../../src/auth/app-passwords/app-password-epochs.js';
import { eventually } from './eventually.js';
import { type InProcessApp } from './in-process-app.js';

/**
 * Runs an app password's first use and waits for the "last used" write it sets off, which moves the
 * account's epoch (and so drops what was remembered before it): after this, what is verified stays
 * remembered.
 */
export async function firstAppPasswordUse<T>(
  server: InProcessApp,
  userId: string,
  use: () => Promise<T>,
): Promise<T> {
  const epochs = server.app.get(AppPasswordEpochs);
  const was = await epochs.current(userId);
  const result = await use();
  await eventually(
    () => epochs.current(userId),
    (epoch) => epoch !== was,
    { intervalMs: 10, what: 'the first use\'s "last used" write' },
  );
  return result;
}

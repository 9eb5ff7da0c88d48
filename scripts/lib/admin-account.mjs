/**
 * Whether `password` signs `username` in as an admin. ADMIN_PASSWORD only sets the password of an
 * admin the app creates on a first start; a database that had an admin already keeps its password.
 * The app creates the first admin just after it starts listening, so this waits up to `waitMs` for one.
 */
export async function adminPasswordWorks(mongoUri, username, password, { waitMs = 15000 } = {}) {
  // Imported here, not at the top: quickstart loads this file before set-up has installed node_modules.
  const { default: bcrypt } = await import('bcryptjs');
  const { default: mongoose } = await import('mongoose');
  const connection = await mongoose
    .createConnection(mongoUri, { serverSelectionTimeoutMS: 5000 })
    .asPromise();
  try {
    const users = connection.db.collection('users');
    const deadline = Date.now() + waitMs;
    while ((await users.countDocuments({ role: 'admin' })) === 0) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const admins = await users.find({ role: 'admin', username }).toArray();
    for (const admin of admins) if (await bcrypt.compare(password, admin.passwordHash ?? '')) return true;
    return false;
  } finally {
    await connection.close();
  }
}

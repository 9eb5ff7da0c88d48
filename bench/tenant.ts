// What tenant resolution adds to a request: TenantResolver.resolve for a tenant's host (cached), an
// unknown host (cached "no tenant") and a first visit (two `_id` reads), among BENCH_TENANTS tenants,
// and a whole `GET /api/site` on a tenant's host beside the same request on the default site.
//   npm run bench -- tenant   (BENCH_TENANTS=200 BENCH_REPS=2000)
import { type IncomingMessage } from 'node:http';
import { TenantDirectory } from '../src/core/tenancy/tenant-directory.js';
import { TenantResolver } from '../src/core/tenancy/tenant-resolver.js';
import { TenantsService } from '../src/franchise/tenants/tenants.service.js';
import { HostClient } from '../test/support/host-client.js';
import { withBenchApp } from './support/bench-app.js';
import { percentile, timings } from './support/timings.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const REPS = Number(process.env.BENCH_REPS ?? 2000);

const fakeRequest = (host: string) =>
  ({ url: '/', headers: { host }, socket: { remoteAddress: '127.0.0.1' } }) as unknown as IncomingMessage;

function report(label: string, values: number[]): void {
  const ms = (value: number) => value.toFixed(3).padStart(8);
  console.log(
    `${label.padEnd(44)} p50 ${ms(percentile(values, 50))} ms   p95 ${ms(percentile(values, 95))} ms`,
  );
}

await withBenchApp({ ROLE: 'manager' }, async (server) => {
  const tenants = server.app.get(TenantsService);
  for (let i = 0; i < TENANTS; i++) {
    await tenants.create({ slug: `t${i}`, name: `Tenant ${i}`, domains: [`t${i}.example.com`] });
  }
  const resolver = server.app.get(TenantResolver);
  const directory = server.app.get(TenantDirectory);
  console.log(`${TENANTS} tenants, ${REPS} repetitions`);
  await resolver.resolve(fakeRequest('t1.example.com'));
  report(
    'resolve: tenant host, cached',
    await timings(REPS, () => resolver.resolve(fakeRequest('t1.example.com'))),
  );
  await resolver.resolve(fakeRequest('nobody.example.org'));
  report(
    'resolve: unknown host, cached',
    await timings(REPS, () => resolver.resolve(fakeRequest('nobody.example.org'))),
  );
  report(
    'resolve: first visit (cache cleared each time)',
    await timings(Math.min(REPS, 300), (i) => {
      directory.forget();
      return resolver.resolve(fakeRequest(`t${i % TENANTS}.example.com`));
    }),
  );
  const onTenant = new HostClient(server.url, 't1.example.com');
  const onDefault = new HostClient(server.url, '127.0.0.1');
  report(
    'GET /api/site on a tenant host',
    await timings(Math.min(REPS, 500), () => onTenant.get('/api/site')),
  );
  report(
    'GET /api/site on the default site',
    await timings(Math.min(REPS, 500), () => onDefault.get('/api/site')),
  );
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { writeFixturePackage } from '../../scripts/n8n-runtime/fixture';
import {
  buildN8nEnv,
  getFreePort,
  installPackageIntoUserFolder,
  NODE_BIN,
  unflatten,
} from '../../scripts/n8n-runtime/index';

describe('n8n-runtime helpers', () => {
  it('unflatten reverses flatted (as used by n8n execution data), incl. cycles', () => {
    // flatted.stringify({ a: 'x', list: [1, 'y'], self: <root> })
    const text = JSON.stringify([{ a: '1', list: '2', self: '0' }, 'x', [1, '3'], 'y']);
    const out = unflatten(text) as { a: string; list: unknown[]; self: unknown };
    expect(out.a).toBe('x');
    expect(out.list).toEqual([1, 'y']);
    expect(out.self).toBe(out);
  });

  it('buildN8nEnv binds to loopback, disables telemetry and puts Node 24 first on PATH', () => {
    const env = buildN8nEnv({
      userFolder: '/tmp/u',
      port: 5999,
      brokerPort: 6000,
      encryptionKey: 'k',
      logLevel: 'warn',
      extra: { N8N_PAYLOAD_SIZE_MAX: '1' },
    });
    expect(env.N8N_LISTEN_ADDRESS).toBe('127.0.0.1');
    expect(env.WEBHOOK_URL).toBe('http://127.0.0.1:5999/');
    expect(env.N8N_RUNNERS_BROKER_PORT).toBe('6000');
    expect(env.N8N_DIAGNOSTICS_ENABLED).toBe('false');
    expect(env.N8N_CUSTOM_EXTENSIONS).toBeUndefined();
    expect(env.N8N_PAYLOAD_SIZE_MAX).toBe('1');
    expect(env.PATH?.split(path.delimiter)[0]).toBe(path.dirname(NODE_BIN));
  });

  it('installs a package like n8n installs a community package', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'n8n-rt-unit-'));
    try {
      const pkg = writeFixturePackage(path.join(tmp, 'pkg'));
      const { name, dir } = installPackageIntoUserFolder(pkg, path.join(tmp, 'user'));
      expect(dir).toBe(path.join(tmp, 'user', '.n8n', 'nodes', 'node_modules', name));
      expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe(name);
      expect(existsSync(path.join(dir, 'dist/nodes/FixtureTrigger/FixtureTrigger.node.js'))).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('getFreePort returns a bindable port', async () => {
    const p = await getFreePort();
    expect(p).toBeGreaterThan(0);
  });
});

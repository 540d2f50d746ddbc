/**
 * Generates a tiny, plain-JS n8n community node package used to prove how a
 * real n8n loads our package (see smoke.ts). No node_modules of its own:
 * everything it requires must be resolved by n8n's runtime.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURE_PACKAGE_NAME = 'n8n-nodes-runtime-fixture';

const CREDENTIAL = `
class FixtureApi {
  constructor() {
    this.name = 'fixtureApi';
    this.displayName = 'Fixture API';
    this.properties = [
      { displayName: 'Token', name: 'token', type: 'string', typeOptions: { password: true }, default: '' },
    ];
  }
}
module.exports = { FixtureApi };
`;

const TRIGGER = `
const { NodeConnectionTypes, NodeOperationError } = require('n8n-workflow');
const { DateTime } = require('luxon');
const { z } = require('zod');
const _ = require('lodash');
const crypto = require('crypto');

// Research probe: is n8n's own DI container / TypeORM DataSource reachable from node code?
function probeN8nDb() {
  try {
    const { Container } = require('@n8n/di');
    const { DataSource } = require('@n8n/typeorm');
    const ds = Container.get(DataSource);
    return { reachable: true, initialized: ds.isInitialized, type: ds.options.type, database: ds.options.database };
  } catch (e) {
    return { reachable: false, error: String(e && e.message) };
  }
}

class FixtureTrigger {
  constructor() {
    this.description = {
      displayName: 'Fixture Trigger',
      name: 'fixtureTrigger',
      group: ['trigger'],
      version: 1,
      description: 'Runtime fixture webhook trigger',
      defaults: { name: 'Fixture Trigger' },
      inputs: [],
      outputs: [NodeConnectionTypes.Main],
      credentials: [{ name: 'fixtureApi', required: true }],
      webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'fixture' }],
      properties: [],
    };
  }
  async webhook() {
    const req = this.getRequestObject();
    const res = this.getResponseObject();
    const creds = await this.getCredentials('fixtureApi');
    const raw = req.rawBody;
    const schema = z.object({ hello: z.string() });
    const parsed = schema.safeParse(req.body);
    const hmac = raw ? crypto.createHmac('sha256', String(creds.token)).update(raw).digest('hex') : null;
    const info = {
      rawBodyType: raw === undefined ? 'undefined' : (Buffer.isBuffer(raw) ? 'Buffer' : typeof raw),
      rawBodyLength: raw ? raw.length : null,
      bodyType: typeof req.body,
      body: req.body,
      zodOk: parsed.success,
      hmac,
      luxonYear: DateTime.now().year,
      lodashOk: _.get({ a: { b: 1 } }, 'a.b') === 1,
      hasCheckProcessedAndRecord: typeof (this.helpers && this.helpers.checkProcessedAndRecord),
      nodeOperationError: typeof NodeOperationError,
      contentType: req.headers['content-type'],
      hasStaticData: typeof this.getWorkflowStaticData,
      nDb: probeN8nDb(),
    };
    if (req.query && req.query.own === '1') {
      res.status(202).json({ ownResponse: true });
      return { noWebhookResponse: true, workflowData: [this.helpers.returnJsonArray([info])] };
    }
    return { workflowData: [this.helpers.returnJsonArray([info])] };
  }
}
module.exports = { FixtureTrigger };
`;

export function packageJson(withDist = true): Record<string, unknown> {
  const prefix = withDist ? 'dist/' : '';
  return {
    name: FIXTURE_PACKAGE_NAME,
    version: '0.0.1',
    main: 'index.js',
    keywords: ['n8n-community-node-package'],
    n8n: {
      n8nNodesApiVersion: 1,
      credentials: [`${prefix}credentials/FixtureApi.credentials.js`],
      nodes: [`${prefix}nodes/FixtureTrigger/FixtureTrigger.node.js`],
    },
  };
}

/** Write the fixture package into `dir` (package.json + dist/). Returns dir. */
export function writeFixturePackage(dir: string): string {
  mkdirSync(path.join(dir, 'dist/credentials'), { recursive: true });
  mkdirSync(path.join(dir, 'dist/nodes/FixtureTrigger'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson(), null, 2));
  writeFileSync(path.join(dir, 'dist/credentials/FixtureApi.credentials.js'), CREDENTIAL);
  writeFileSync(path.join(dir, 'dist/nodes/FixtureTrigger/FixtureTrigger.node.js'), TRIGGER);
  return dir;
}

/** Workflow JSON as our exported workflow files look (credential referenced by name). */
export function fixtureWorkflow(nodeType: string, credentialName: string): Record<string, unknown> {
  return {
    name: 'Runtime fixture workflow',
    nodes: [
      {
        parameters: {},
        id: '0b3a4a1e-0000-4000-8000-000000000001',
        name: 'Fixture Trigger',
        type: nodeType,
        typeVersion: 1,
        position: [0, 0],
        webhookId: '0b3a4a1e-0000-4000-8000-0000000000aa',
        credentials: { fixtureApi: { id: 'PLACEHOLDER', name: credentialName } },
      },
      {
        parameters: { jsCode: "return $input.all().map(i => ({ json: { ...i.json, viaCode: true } }));" },
        id: '0b3a4a1e-0000-4000-8000-000000000002',
        name: 'Code',
        type: 'n8n-nodes-base.code',
        typeVersion: 2,
        position: [220, 0],
      },
    ],
    connections: {
      'Fixture Trigger': { main: [[{ node: 'Code', type: 'main', index: 0 }]] },
    },
    settings: { executionOrder: 'v1' },
  };
}

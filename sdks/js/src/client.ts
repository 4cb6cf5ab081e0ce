import { HttpCore, type ClientOptions } from './core.js';
import { ApiGroups } from './generated.js';
import { Webhooks } from './webhooks.js';

/**
 * The API client. Every route group is a property (`client.workspaces`, `client.namespaces.entitlements`,
 * `client.apiKeys`, ...), generated from the API's route table.
 *
 *     const client = new Client(process.env.CORE_PHP_API_KEY, { baseUrl: 'https://api.example.com' });
 *     const workspace = await client.workspaces.create({ name: 'My Workspace', tier: 'pro' });
 *     for await (const ns of client.namespaces.list({ workspace_id: workspace.id })) console.log(ns.slug);
 *
 * `apiKey` may be an API key (`sk_...`) or an access token from `client.auth.login(...)`; without one only the
 * public routes (register, login, refresh, health, the document) work.
 */
export class Client extends ApiGroups {
  /** The transport every route goes through: base URL, credential, retries. */
  readonly core: HttpCore;
  /** Webhook signature helpers, `Client.webhooks.verify(body, headers, secret)` (also exported on their own). */
  static readonly webhooks = Webhooks;

  constructor(apiKey?: string | null, options: ClientOptions = {}) {
    const core = new HttpCore(apiKey ?? null, options);
    super(core);
    this.core = core;
  }

  /** Use another API key or access token from now on (e.g. after `auth.login` or `auth.refresh`). */
  setCredential(apiKeyOrToken: string | null): this {
    this.core.credential = apiKeyOrToken || null;
    return this;
  }

  get baseUrl(): string {
    return this.core.baseUrl;
  }
}

import { type z } from 'zod';
import { ConfigError } from './config.error';

/** Describes one environment variable of a config namespace. */
export interface ConfigVariable<T extends z.ZodType> {
  /** Environment variable name, e.g. `PORT`. */
  env: string;
  schema: T;
  /** What a person should put there; shown when the value is wrong. */
  description: string;
  /** Secrets are never echoed back in errors or listings. */
  sensitive?: boolean;
}

type ConfigShape = Record<string, ConfigVariable<z.ZodType>>;
export type ConfigOf<S extends ConfigShape> = { readonly [K in keyof S]: z.output<S[K]['schema']> };

export interface ConfigNamespace<S extends ConfigShape> {
  readonly namespace: string;
  readonly variables: S;
  /** Parses `env`, throwing one {@link ConfigError} that names every wrong variable. */
  load(env?: NodeJS.ProcessEnv): ConfigOf<S>;
}

/**
 * Declares a typed, validated configuration namespace that fails at boot with a message naming the variable.
 *
 * @example
 * const serverConfig = defineConfig('server', {
 *   port: { env: 'PORT', schema: z.coerce.number().int().min(1).max(65535).default(8080), description: 'HTTP port' },
 * });
 * const { port } = serverConfig.load();
 */
export function defineConfig<S extends ConfigShape>(namespace: string, variables: S): ConfigNamespace<S> {
  return {
    namespace,
    variables,
    load(env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
      const problems: string[] = [];
      const values: Record<string, unknown> = {};
      for (const [key, variable] of Object.entries(variables)) {
        const raw = env[variable.env];
        const input = raw === undefined || raw === '' ? undefined : raw;
        const parsed = variable.schema.safeParse(input);
        if (parsed.success) {
          values[key] = parsed.data;
          continue;
        }
        const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
        const shown = variable.sensitive ? '<redacted>' : JSON.stringify(raw);
        problems.push(`${variable.env}=${shown} is not allowed: ${reason}. Expected: ${variable.description}`);
      }
      if (problems.length > 0) throw new ConfigError(namespace, problems);
      return values as ConfigOf<S>;
    },
  };
}

/** Lists a namespace's variables for documentation and the portal, with secrets masked. */
export function describeConfig<S extends ConfigShape>(
  config: ConfigNamespace<S>,
  env: NodeJS.ProcessEnv = process.env,
): { env: string; description: string; value: string | undefined }[] {
  return Object.values(config.variables).map((variable) => ({
    env: variable.env,
    description: variable.description,
    value: env[variable.env] === undefined ? undefined : variable.sensitive ? '<redacted>' : env[variable.env],
  }));
}

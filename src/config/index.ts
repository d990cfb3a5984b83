/**
 * Node configuration: config/default.json, then config files, then C5MESH_* environment
 * variables, then overrides — validated with zod (strict: unknown keys are refused). A bad
 * value is reported as CONFIG_INVALID naming the field and what was expected, e.g.
 * `api.port: expected integer between 0 and 65535 (0: any free port), got "abc"`.
 * Reference table: docs/protocol/links.md "Configuration".
 *
 * @example
 * const config = await loadConfig({ files: ['data/config.json'], env: process.env })
 * config.api.port // 4380, or C5MESH_API_PORT
 */
export { loadConfig, readConfigFile, validateConfig, configFromEnv, mergeConfig, DEFAULT_CONFIG_FILE, type LoadConfigOptions } from './load.js'
export { configSchema, type NodeConfig, type RadioLinkConfig } from './schema.js'
export { CONFIG_FIELDS, envVarName, type FieldSpec, type EnvKind } from './fields.js'

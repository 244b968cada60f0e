/** The configured model registry (model.registry), built from the environment it runs in. */
import { MlflowRegistry, type MlflowRegistryConfig } from './mlflow.js';
import type { ModelRegistry } from './registry.js';
import { SageMakerRegistry, type SageMakerRegistryConfig } from './sagemaker.js';

export type RegistryConfig = MlflowRegistryConfig | SageMakerRegistryConfig;

/** Throws RegistryError when the registry cannot be set up (no tracking URI). */
export function createRegistry(config: RegistryConfig, env: NodeJS.ProcessEnv, signal?: AbortSignal): ModelRegistry {
  return config.type === 'sagemaker' ? new SageMakerRegistry(config, env, signal) : new MlflowRegistry(config, env, signal);
}

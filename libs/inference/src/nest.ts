// Public API of @attest/inference/nest: the Nest module and persistence beside the core.
export { INFERENCE_CONFIG, InferenceModule } from './nest/inference.module';

// Public API of @attest/inference/nest: the Nest module and persistence beside the core.
export {};

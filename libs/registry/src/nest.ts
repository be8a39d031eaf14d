// Public API of @attest/registry/nest: the Nest module and persistence beside the core.
export {};

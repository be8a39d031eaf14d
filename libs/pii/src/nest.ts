// Public API of @attest/pii/nest: the Nest module and persistence beside the core.
export {};

// Public API of @attest/identity/nest: the Nest module and persistence beside the core.
export {};

// Public API of @attest/policy/nest: the Nest module and persistence beside the core.
export {};

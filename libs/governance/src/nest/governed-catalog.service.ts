import type { ModelList } from '@attest/contracts';
import { isModelInScope, type Principal } from '@attest/identity';
import { ModelRegistryService } from '@attest/registry/nest';
import { Injectable } from '@nestjs/common';

/** `GET /v1/models`: what this caller may use, in OpenAI's list shape. */
@Injectable()
export class GovernedCatalogService {
  constructor(private readonly registry: ModelRegistryService) {}

  async list(principal: Principal): Promise<ModelList> {
    const servable = await this.registry.listServable(principal.tenant);
    const visible = servable.filter((model) => isModelInScope(principal, model.id));
    return {
      object: 'list',
      data: visible.map((model) => ({ id: model.id, object: 'model', created: model.created, owned_by: model.ownedBy })),
    };
  }
}

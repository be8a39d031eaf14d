import {
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
  type CompletionRequest,
  completionRequestSchema,
  type EmbeddingList,
  type EmbeddingRequest,
  embeddingRequestSchema,
  type ModelList,
} from '@attest/contracts';
import { GovernedCatalogService, GovernedEmbeddingService } from '@attest/governance/nest';
import type { Principal } from '@attest/identity';
import { Authenticated, CurrentPrincipal } from '@attest/identity/nest';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CompletionResponder } from './completion-responder';
import { chatCall, completionCall, framingOf } from './openai-mapping';
import { requestMetaOf } from './request-meta';
import { ZodBodyPipe } from './request-validation';

/** OpenAI-compatible API: each route authenticates, validates, and hands the call to the governed request path. */
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly completions: CompletionResponder,
    private readonly catalog: GovernedCatalogService,
    private readonly embeddings: GovernedEmbeddingService,
  ) {}

  @Get('models')
  @Authenticated({ action: 'list_models' })
  models(@CurrentPrincipal() principal: Principal): Promise<ModelList> {
    return this.catalog.list(principal);
  }

  @Post('chat/completions')
  @Authenticated({ action: 'chat' })
  chat(
    @Body(new ZodBodyPipe(chatCompletionRequestSchema)) body: ChatCompletionRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.completions.chat(chatCall(body, principal, request), framingOf(body), request, reply);
  }

  @Post('completions')
  @Authenticated({ action: 'completion' })
  complete(
    @Body(new ZodBodyPipe(completionRequestSchema)) body: CompletionRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.completions.completion(completionCall(body, principal, request), framingOf(body), request, reply);
  }

  @Post('embeddings')
  @Authenticated({ action: 'embedding' })
  embed(
    @Body(new ZodBodyPipe(embeddingRequestSchema)) body: EmbeddingRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
  ): Promise<EmbeddingList> {
    return this.embeddings.embed(body, principal, requestMetaOf(request));
  }
}

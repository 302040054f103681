"""The Discord door: signed HTTP interactions at ``/discord/interactions`` (slash commands,
autocomplete, buttons and modals), each answered through the same services as the web and
GraphQL doors; ``sprocket discord sync-commands`` registers the commands with Discord.

Outgoing calls to Discord (follow-ups, command registration) go through hikari's REST
client (:mod:`sprocket.discord.rest`), and notifications through the sender the notification
job uses (:mod:`sprocket.discord.sender`); what arrives is read by
:mod:`sprocket.discord.interaction`. No rule lives here: a command translates options,
calls a service and shapes the reply.
"""

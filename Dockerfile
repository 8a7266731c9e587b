# One Dockerfile for Mq's three executables; pick one with --target (docker-compose.yml does):
#   docker build --target broker -t mq-broker .
# Standard multi-stage build on the official .NET images; the broker's on ASP.NET Core's (its monitoring endpoint needs it).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/Broker/Mq.Broker.csproj -c Release -o /out/broker \
 && dotnet publish src/Publisher/Mq.Publisher.csproj -c Release -o /out/publisher \
 && dotnet publish src/Subscriber/Mq.Subscriber.csproj -c Release -o /out/subscriber

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS broker
WORKDIR /app
COPY --from=build /out/broker .
# Where compose's shared volume holds the broker's Unix socket; a new volume takes this owner from the image.
RUN mkdir -p /run/mq && chown "$APP_UID" /run/mq
USER $APP_UID
EXPOSE 5555
ENTRYPOINT ["dotnet", "Mq.Broker.dll"]
CMD ["--endpoint", "tcp://0.0.0.0:5555"]

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS publisher
WORKDIR /app
COPY --from=build /out/publisher .
USER $APP_UID
ENTRYPOINT ["dotnet", "Mq.Publisher.dll"]

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS subscriber
WORKDIR /app
COPY --from=build /out/subscriber .
RUN mkdir -p /run/mq && chown "$APP_UID" /run/mq
USER $APP_UID
ENTRYPOINT ["dotnet", "Mq.Subscriber.dll"]

from rsspress.cli import main

main()
